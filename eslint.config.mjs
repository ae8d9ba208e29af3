// ESLint flat config: typescript-eslint's recommended rules on every TypeScript file.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Dependency direction (docs: README, Layout). Pure logic — the wire contracts, the config, the small
// helpers and the edge's nginx renderer — imports nothing from the Pulumi resources, the services,
// the tooling or the tests; contracts import only contracts, and program/lib/ sits below program/config/. Tests and
// test support are exempt: they may reach anything they test.
const TESTS = ["**/*.test.ts", "**/test-support/**", "**/test-support.ts", "tests/**"];
const NOT_PURE = [
  {
    group: ["**/components/**", "**/index"],
    message: "pure logic must not import the Pulumi resources",
  },
  // The program module (program/index.ts), not the pure folders beside it in program/.
  { regex: "(^|/)program(/index)?$", message: "pure logic must not import the Pulumi resources" },
  {
    group: ["**/runner/**", "**/cp-stub/**", "**/reference-tenant/**", "**/sinkhole/**", "**/images/**"],
    message: "pure logic must not import a service or its image bundling",
  },
  {
    group: ["**/tests/**", "**/scripts/**", "**/tools/**"],
    message: "pure logic must not import tooling or tests",
  },
];
const layer = (files, patterns) => ({
  files,
  ignores: TESTS,
  rules: { "no-restricted-imports": ["error", { patterns }] },
});
const dependencyDirection = [
  // Nothing but tests imports the tests (first: a layer below repeats it, as a later block replaces the rule).
  {
    files: ["**/*.ts"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/tests/**"], message: "only tests import tests/" }] },
      ],
    },
  },
  layer(
    ["program/contracts/**/*.ts"],
    [
      ...NOT_PURE,
      {
        group: ["**/config/**", "**/lib/**", "**/cf-proxy", "**/cf-proxy/**", "@pulumi/*"],
        message: "contracts import only contracts",
      },
    ],
  ),
  layer(
    ["program/lib/**/*.ts"],
    [
      ...NOT_PURE,
      {
        group: ["**/config/**", "@pulumi/*"],
        message: "lib/ sits below config/ and knows no Pulumi",
      },
    ],
  ),
  layer(["program/config/**/*.ts"], NOT_PURE),
  layer(
    ["cf-proxy/**/*.ts"],
    [
      ...NOT_PURE,
      {
        group: ["**/config/**", "**/lib/**", "@pulumi/*"],
        message: "the edge renderer stands alone: it gets its options",
      },
    ],
  ),
];

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", ".harness/", "**/dist/", ".pulumi/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.mjs", "**/*.cjs", "**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        process: "readonly",
        console: "readonly",
        fetch: "readonly",
        AbortSignal: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
      },
    },
  },
  ...dependencyDirection,
);
