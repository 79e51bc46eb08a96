/** Helpers for the report tests: read what an SVG or HTML document shows, and check its structure. */
import { Parser } from 'htmlparser2';

/**
 * The text of every <text> element of an SVG, entities decoded, in document order; a multi-line text (one
 * <tspan> per line) also gives each line.
 */
export function svgTexts(svg: string): string[] {
  const texts: string[] = [];
  let inText = false;
  let inSpan = false;
  let current = '';
  let line = '';
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'text') {
          inText = true;
          current = '';
        } else if (name === 'tspan') {
          inSpan = true;
          line = '';
        }
      },
      ontext(text) {
        if (inText) current += text;
        if (inSpan) line += text;
      },
      onclosetag(name) {
        if (name === 'text') {
          inText = false;
          texts.push(current);
        } else if (name === 'tspan') {
          inSpan = false;
          texts.push(line);
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(svg);
  parser.end();
  return texts;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * Problems with the nesting of an HTML document: every element that is not void must be closed explicitly, in
 * order (no close tags implied by the parser, no stray close tags). Empty when the document is well formed.
 */
export function htmlNestingProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const parser = new Parser(
    {
      onopentag(name) {
        if (!VOID.has(name)) stack.push(name);
      },
      onclosetag(name, isImplied) {
        if (VOID.has(name)) return;
        // A close is 'implied' both when the parser had to make one up (a problem) and for a self-closing
        // tag inside SVG (fine): tell them apart by the source of the tag just read.
        const source = html.slice(parser.startIndex, parser.endIndex + 1);
        const selfClosed = source.startsWith(`<${name}`) && source.endsWith('/>');
        if (isImplied && !selfClosed) problems.push(`<${name}> is not closed explicitly (open: ${stack.join(' > ')})`);
        const top = stack.pop();
        if (top !== name) problems.push(`</${name}> closes <${top}>`);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

/** Visible text of an HTML document (outside <style>), entities decoded. */
export function htmlText(html: string): string {
  let text = '';
  let inStyle = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'style' || name === 'svg') inStyle++;
      },
      onclosetag(name) {
        if (name === 'style' || name === 'svg') inStyle--;
      },
      ontext(t) {
        if (inStyle === 0) text += t;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return text;
}
