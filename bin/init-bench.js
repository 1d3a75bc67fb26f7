#!/usr/bin/env node
// Tiny on purpose: everything lives in the compiled TypeScript.
import '../dist/src/cli.js';
