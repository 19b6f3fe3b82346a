/** A vector as pgvector reads it from a text parameter (`$1::extensions.vector`): `[0.1,0.2,…]`. */
export const vectorLiteral = (v: readonly number[]) => `[${v.join(",")}]`;
