/** The smallest context map most tests need: two contexts, each with a schema of its own. */
export const ORDERS_AND_CUSTOMERS = `version: 1
contexts:
  orders:
    code: ["src/orders/**"]
    tables: ["orders.*"]
  customers:
    code: ["src/customers/**"]
    tables: ["customers.*"]
`;
