/**
 * Parsers written in C count positions in UTF-8 bytes or in code points; JavaScript strings are
 * indexed in UTF-16 code units. These mappers translate such positions into string indices.
 */

/** Maps a position in the parser's unit to a string index. Fastest when called in ascending order. */
export type OffsetMapper = (position: number) => number;

type Unit = 'utf8-byte' | 'code-point';

export function createByteOffsetMapper(text: string): OffsetMapper {
  if (Buffer.byteLength(text, 'utf8') === text.length) {
    return (position) => Math.min(position, text.length);
  }
  return createScanningMapper(text, 'utf8-byte');
}

export function createCodePointOffsetMapper(text: string): OffsetMapper {
  if (!/[\uD800-\uDFFF]/.test(text)) {
    return (position) => Math.min(position, text.length);
  }
  return createScanningMapper(text, 'code-point');
}

/**
 * Walks the string from the last answered position, forward or back, so queries that stay near
 * each other cost little: a run of ascending queries costs one pass over the text.
 */
function createScanningMapper(text: string, unit: Unit): OffsetMapper {
  let index = 0;
  let position = 0;

  return (target) => {
    while (position > target && index > 0) {
      const step = measureCharacterBefore(text, index, unit);
      index -= step.codeUnits;
      position -= step.size;
    }
    while (position < target && index < text.length) {
      const step = measureCharacter(text, index, unit);
      index += step.codeUnits;
      position += step.size;
    }
    return index;
  };
}

function measureCharacterBefore(
  text: string,
  index: number,
  unit: Unit,
): { codeUnits: number; size: number } {
  const isPair =
    index >= 2 &&
    isLowSurrogate(text.charCodeAt(index - 1)) &&
    isHighSurrogate(text.charCodeAt(index - 2));
  return measureCharacter(text, isPair ? index - 2 : index - 1, unit);
}

function measureCharacter(
  text: string,
  index: number,
  unit: Unit,
): { codeUnits: number; size: number } {
  const code = text.charCodeAt(index);
  const isPair = isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(index + 1));

  if (unit === 'code-point') {
    return { codeUnits: isPair ? 2 : 1, size: 1 };
  }
  if (isPair) {
    return { codeUnits: 2, size: 4 };
  }
  return { codeUnits: 1, size: code < 0x80 ? 1 : code < 0x800 ? 2 : 3 };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
