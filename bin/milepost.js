#!/usr/bin/env node
// The built CLI lives in dist/ (npm run build). `npm start`, `npm test` and `npx milepost` build first.
import '../dist/cli.js';
