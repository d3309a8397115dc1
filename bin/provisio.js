#!/usr/bin/env node
// The `provisio` command. The TypeScript is compiled to dist/ by `npm ci` (the prepare script) or `npm run build`.
require('reflect-metadata');
require('../dist/src/cli/main.js').runCli(process.argv);
