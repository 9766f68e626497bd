import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["**/node_modules/**", ".seedbed/**", "**/dist/**", "deploy/**"] },
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Small files and functions, as STYLE.md asks.
      "max-lines": ["error", { max: 400, skipBlankLines: true, skipComments: true }],
      complexity: ["error", 20],
      "max-depth": ["error", 4],
      "@typescript-eslint/no-floating-promises": "error",
      // Callbacks wired before the thing they call exists (driver → controller).
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "@typescript-eslint/explicit-module-boundary-types": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // @kubernetes/client-node models are classes with no behaviour; object
      // literals are how its own documentation builds them.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // A test is a straight list of steps and assertions; every ?. of an
    // assertion would count as a branch.
    files: ["**/*.test.ts"],
    rules: { complexity: "off" },
  },
);
