import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './dockerfile.js';
import { DockerIgnore } from './dockerignore.js';
import { processWord, processWords } from './shell-words.js';

test('Dockerfile instructions come out as logical lines with their line numbers, flags and exec form', () => {
  const df = parseDockerfile([
    'FROM python:3.12-slim',
    '# a comment',
    'RUN apt-get update && \\',
    '    # comment inside a continuation',
    '    apt-get install -y curl',
    'COPY --chown=1000:1000 ["a b", "/dst/"]',
    'cmd python app.py',
  ].join('\n'));
  const [from, run, copy, cmd] = df.instructions;
  assert.deepEqual([from!.keyword, from!.line, from!.args], ['FROM', 1, 'python:3.12-slim']);
  assert.equal(run!.line, 3);
  assert.equal(run!.args.replace(/\s+/g, ' '), 'apt-get update && apt-get install -y curl');
  assert.deepEqual(copy!.flags, { chown: '1000:1000' });
  assert.deepEqual(copy!.json, ['a b', '/dst/']);
  assert.equal(cmd!.keyword, 'CMD');
  assert.equal(cmd!.json, undefined);
});

test('the escape directive changes the line continuation character', () => {
  const df = parseDockerfile('# escape=`\nFROM x\nRUN echo a `\n  b\n');
  assert.equal(df.escape, '`');
  assert.equal(df.instructions[1]!.args.replace(/\s+/g, ' '), 'echo a b');
});

test('variables are substituted as BuildKit substitutes them', () => {
  const vars = new Map([['A', 'one'], ['EMPTY', '']]);
  assert.deepEqual(processWords('x=$A "y=${A} two" z=\'$A\'', vars), ['x=one', 'y=one two', 'z=$A']);
  assert.equal(processWord('${EMPTY:-dflt}/${EMPTY-unset}/${MISSING:-m}/${A:+alt}', vars), 'dflt//m/alt');
  assert.equal(processWord('\\$A', vars), '$A');
  assert.throws(() => processWord('${MISSING:?must be set}', vars), /must be set/);
});

test('.dockerignore excludes as docker does: globs, ** across folders, folders with their contents, ! exceptions', () => {
  const ig = new DockerIgnore('# comment\n*.pyc\n**/__pycache__\n.git\ndocs/\n!docs/keep.md\n/build\n');
  assert.equal(ig.ignores('a.pyc'), true);
  assert.equal(ig.ignores('pkg/a.pyc'), false); // '*' does not cross folders
  assert.equal(ig.ignores('pkg/__pycache__/x.cpython.pyc'), true);
  assert.equal(ig.ignores('.git/config'), true);
  assert.equal(ig.ignores('docs/readme.md'), true);
  assert.equal(ig.ignores('docs/keep.md'), false);
  assert.equal(ig.ignores('build/out.bin'), true);
  assert.equal(ig.ignores('app.py'), false);
});
