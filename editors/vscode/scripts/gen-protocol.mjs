#!/usr/bin/env node
// Generates src/protocol.generated.ts from docs/schema/lsp-extension.schema.json (itself
// generated from the server's Rust types): a TypeScript type for every `$defs` entry and
// the method names, params and result types of every asyncell/* request and notification.
//
//   node scripts/gen-protocol.mjs            rewrite src/protocol.generated.ts
//   node scripts/gen-protocol.mjs --stdout   print what it would write (the unit tests
//                                            compare that with the committed file)
//
// Plain Node, no dependencies. Handles the JSON Schema subset schemars emits: objects with
// properties (interfaces), string enums and oneOf consts (union types), `type: [T, "null"]`
// and `anyOf: [{$ref}, {type: "null"}]` (`| null`), arrays, maps, and oneOf object unions.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(EXT, '..', '..');
export const SCHEMA_PATH = join(ROOT, 'docs', 'schema', 'lsp-extension.schema.json');
export const OUTPUT_PATH = join(EXT, 'src', 'protocol.generated.ts');
const PREFIX = 'asyncell/';

function fail(message) {
  throw new Error(`gen-protocol: ${message}`);
}

function docComment(text, indent) {
  if (!text) return '';
  const lines = text.trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0].replace(/\*\//g, '*\\/')} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l.replace(/\*\//g, '*\\/')}` : ''}`).join('\n')}\n${indent} */\n`;
}

function refName(ref) {
  const match = /^#\/\$defs\/(.+)$/.exec(ref);
  if (!match) fail(`unsupported $ref ${ref}`);
  return match[1];
}

const PRIMITIVES = { string: 'string', integer: 'number', number: 'number', boolean: 'boolean', null: 'null' };

function union(parts) {
  const unique = [...new Set(parts)];
  return unique.join(' | ');
}

/** The TypeScript type of a schema, inline. `indent` is the indentation of the line it is on. */
function typeOf(schema, indent) {
  if (schema === true || schema === undefined) return 'unknown';
  if (schema.$ref) return refName(schema.$ref);
  if ('const' in schema) return JSON.stringify(schema.const).replace(/^"|"$/g, "'");
  if (schema.enum) return union(schema.enum.map((v) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v))));
  if (schema.oneOf || schema.anyOf) {
    return union((schema.oneOf ?? schema.anyOf).map((member) => typeOf(member, indent)));
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 1) {
    return union(types.map((t) => typeOf({ ...schema, type: t }, indent)));
  }
  const type = types[0];
  if (type === 'array') {
    const item = typeOf(schema.items, indent);
    return /[ |]/.test(item) && !item.startsWith('{') ? `Array<${item}>` : `${item}[]`;
  }
  if (type === 'object') {
    if (schema.properties) return objectBody(schema, indent);
    const values = schema.additionalProperties === undefined || schema.additionalProperties === true
      ? 'unknown'
      : typeOf(schema.additionalProperties, indent);
    return `Record<string, ${values}>`;
  }
  if (type in PRIMITIVES) return PRIMITIVES[type];
  if (type === undefined) return 'unknown';
  fail(`unsupported type ${JSON.stringify(schema.type)}`);
}

/** `{ ... }` with one property a line, doc comments from `description`. */
function objectBody(schema, indent) {
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const lines = Object.keys(schema.properties)
    .sort()
    .map((name) => {
      const property = schema.properties[name];
      const optional = required.has(name) ? '' : '?';
      const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
      return `${docComment(property.description, inner)}${inner}${key}${optional}: ${typeOf(property, inner)};\n`;
    });
  return `{\n${lines.join('')}${indent}}`;
}

/** A union's doc comment lists its members' own descriptions. */
function unionDoc(schema) {
  const members = (schema.oneOf ?? []).filter((m) => m.description && 'const' in m);
  const list = members.map((m) => `- \`${m.const}\`: ${m.description.replace(/\n/g, ' ')}`);
  return [schema.description, list.join('\n')].filter(Boolean).join('\n\n');
}

function definition(name, schema) {
  if (schema.type === 'object' && schema.properties) {
    return `${docComment(schema.description, '')}export interface ${name} ${objectBody(schema, '')}\n`;
  }
  if (schema.oneOf && schema.oneOf.every((m) => m.type === 'object' && m.properties)) {
    const members = schema.oneOf.map((m) => `  | ${objectBody(m, '    ').replace(/\n {4}}$/, '\n    }')}`);
    return `${docComment(schema.description, '')}export type ${name} =\n${members.join('\n')};\n`;
  }
  return `${docComment(unionDoc(schema), '')}export type ${name} = ${typeOf(schema, '')};\n`;
}

function shortName(method) {
  if (!method.startsWith(PREFIX)) fail(`method ${method} is not under ${PREFIX}`);
  return method.slice(PREFIX.length);
}

export function generate(schema) {
  const defs = schema.$defs ?? fail('the schema has no $defs');
  const requests = schema.requests ?? fail('the schema has no requests');
  const notifications = schema.notifications ?? fail('the schema has no notifications');
  const out = [];
  out.push(
    '// Generated by editors/vscode/scripts/gen-protocol.mjs from docs/schema/lsp-extension.schema.json',
    '// (which the server generates from server/src/server/extension.rs). Do not edit: after the',
    '// schema changes, run `node scripts/gen-protocol.mjs` in editors/vscode.',
    '/* eslint-disable */',
    '',
  );
  for (const name of Object.keys(defs).sort()) out.push(definition(name, defs[name]));

  const methodTable = (title, table, withResult) => {
    const names = Object.keys(table).sort();
    out.push(`/** The ${title.slice(0, -1)} methods, by their name after \`${PREFIX}\`. */`);
    out.push(`export const ${title[0].toUpperCase()}${title.slice(1)} = {`);
    for (const method of names) out.push(`  ${shortName(method)}: '${method}',`);
    out.push('} as const;', '');
    const typeName = `${title[0].toUpperCase()}${title.slice(1, -1)}Types`;
    out.push(`/** Each ${title.slice(0, -1)}'s params${withResult ? ' and result' : ''}. */`);
    out.push(`export interface ${typeName} {`);
    for (const method of names) {
      const entry = table[method];
      const params = typeOf(entry.params, '  ');
      const result = withResult ? `; result: ${typeOf(entry.result, '  ')}` : '';
      out.push(`  '${method}': { params: ${params}${result} };`);
    }
    out.push('}', '');
  };
  methodTable('requests', requests, true);
  methodTable('notifications', notifications, false);
  out.push(
    'export type RequestMethod = keyof RequestTypes;',
    'export type NotificationMethod = keyof NotificationTypes;',
    "export type RequestParams<M extends RequestMethod> = RequestTypes[M]['params'];",
    "export type RequestResult<M extends RequestMethod> = RequestTypes[M]['result'];",
    "export type NotificationParams<M extends NotificationMethod> = NotificationTypes[M]['params'];",
    '',
  );
  if (schema.imageMimeTypes) {
    out.push(
      '/** The image MIME types every front end shows as an image (the schema\'s `imageMimeTypes`). */',
      `export const IMAGE_MIME_TYPES = [${schema.imageMimeTypes.map((m) => `'${m}'`).join(', ')}] as const;`,
      '',
    );
  }
  return out.join('\n');
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const text = generate(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  if (process.argv.includes('--stdout')) {
    process.stdout.write(text);
  } else {
    writeFileSync(OUTPUT_PATH, text);
    console.error(`wrote ${relative(process.cwd(), OUTPUT_PATH)}`);
  }
}
