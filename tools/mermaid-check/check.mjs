#!/usr/bin/env node
// Parse Mermaid diagrams with Mermaid's own parser, the one GitHub's renderer runs.
//
//   node tools/mermaid-check/check.mjs FILE...
//
// A FILE ending in .md is a Markdown document: each ```mermaid block in it is checked, and a
// document without one fails (the report is meant to carry its diagram). Any other FILE is one
// diagram. Prints one line per diagram; exits 1 when any fails to parse, 2 on a usage error.
// All diagrams are parsed in this one process: starting Node and loading Mermaid is most of the
// time it takes.

import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

// Mermaid sanitizes labels with DOMPurify, which needs a DOM: Node has none, so lend it jsdom's
// before Mermaid is loaded (DOMPurify looks for `window` when it is imported).
const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

function diagramsOf(file) {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.md')) {
    return [{ name: file, text }];
  }
  // Fenced blocks as CommonMark opens them: three or more backticks, "mermaid" as info string.
  const out = [];
  const fence = /^(`{3,})[ \t]*mermaid[ \t]*\r?\n([\s\S]*?)^\1[ \t]*$/gm;
  let match;
  while ((match = fence.exec(text)) !== null) {
    const line = text.slice(0, match.index).split('\n').length;
    out.push({ name: `${file}:${line}`, text: match[2] });
  }
  return out;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: check.mjs FILE...  (Mermaid files, or Markdown files with ```mermaid blocks)');
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  let diagrams;
  try {
    diagrams = diagramsOf(file);
  } catch (err) {
    console.error(`${file}: cannot read: ${err.message}`);
    failed += 1;
    continue;
  }
  if (diagrams.length === 0) {
    console.error(`${file}: no \`\`\`mermaid block`);
    failed += 1;
  }
  for (const { name, text } of diagrams) {
    try {
      const result = await mermaid.parse(text);
      console.log(`${name}: ok (${result.diagramType})`);
    } catch (err) {
      console.error(`${name}: ${String(err.message || err).trim()}`);
      failed += 1;
    }
  }
}
process.exit(failed ? 1 : 0);
