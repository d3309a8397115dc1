import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed GraphQL operations of the console, checked against the committed SDL: a schema change
// that breaks an operation fails codegen, and one that changes a type fails `tsc -p web`.
const config: CodegenConfig = {
  schema: 'schema/admin.graphql',
  documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'web/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', JSON: 'any', SafeInt: 'number' } },
    },
  },
};
export default config;
