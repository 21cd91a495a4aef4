import { relative, resolve } from 'node:path';
import * as ts from 'typescript';

/** The part of the swagger plugin's read-only visitor used here (its types are not reachable under this repo's module resolution). */
interface ReadonlyVisitor {
  readonly typeImports: Record<string, string>;
  visit(program: ts.Program, file: ts.SourceFile): unknown;
  collect(): unknown;
}
interface ReadonlyVisitorClass {
  new (options: Record<string, unknown>): ReadonlyVisitor;
  createTsProgram(tsconfigPath: string): ts.Program;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ReadonlyVisitor } = require('@nestjs/swagger/plugin') as { ReadonlyVisitor: ReadonlyVisitorClass };

/**
 * What the @nestjs/swagger CLI plugin learns from the TypeScript types (property types,
 * optional or not, enums, class-validator constraints, JSDoc descriptions and `@example`s,
 * controllers' return types), written as a module the gateway loads at start-up
 * (`SwaggerModule.loadPluginMetadata`). The build is plain tsc, which runs no compiler plugin,
 * so the plugin's read-only visitor runs here instead and its output is committed.
 */

const ROOT = resolve(__dirname, '../../..');
/** Where the metadata module lives; its imports of the classes are relative to it. */
export const METADATA_DIR = 'apps/gateway/src/openapi';
export const METADATA_FILE = `${METADATA_DIR}/plugin-metadata.ts`;
/** The projects whose classes describe the HTTP API: the gateway and the contracts it speaks. */
const SOURCES = ['apps/gateway/src/', 'libs/contracts/src/'];

export interface PluginMetadataOptions {
  /** The repository's root (default: found from this file, in src or dist). */
  root?: string;
}

function rootOf(options: PluginMetadataOptions): string {
  if (options.root) return options.root;
  // From dist/tools/openapi/src the repository is one level further up.
  return ROOT.endsWith('/dist') ? resolve(ROOT, '..') : ROOT;
}

/** The metadata module's text, from the sources as they are now. */
export function pluginMetadataSource(options: PluginMetadataOptions = {}): string {
  const root = rootOf(options);
  const visitor = new ReadonlyVisitor({
    pathToSource: resolve(root, METADATA_DIR),
    // Request and view classes: *.messages.ts (contracts, the gateway's keys), *.views.ts (the gateway's own answers), PageQuery.
    dtoFileNameSuffix: ['.messages.ts', '.views.ts', 'page-query.ts'],
    controllerFileNameSuffix: ['.controller.ts'],
    classValidatorShim: true,
    introspectComments: true,
  });
  const program = ReadonlyVisitor.createTsProgram(resolve(root, 'tsconfig.build.json'));
  const inScope = (file: ts.SourceFile) => {
    const path = relative(root, file.fileName);
    return !file.isDeclarationFile && SOURCES.some((source) => path.startsWith(source)) && !/\.(int-|e2e-)?spec\.ts$/.test(path);
  };
  // Sorted, so the output does not depend on the order the compiler found the files in.
  const files = program.getSourceFiles().filter(inScope).sort((a: ts.SourceFile, b: ts.SourceFile) => a.fileName.localeCompare(b.fileName));
  for (const file of files) visitor.visit(program, file);
  return print(visitor.collect() as unknown as Collected, visitor.typeImports);
}

type Entry = [ts.CallExpression, Record<string, unknown>];
type Collected = Record<'models' | 'controllers', Entry[]>;

const f = ts.factory;

function literal(meta: unknown): ts.Expression {
  if (meta && typeof meta === 'object' && ts.isObjectLiteralExpression(meta as ts.Node)) return meta as ts.ObjectLiteralExpression;
  return f.createObjectLiteralExpression(
    Object.entries(meta as Record<string, unknown>).map(([key, value]) => f.createPropertyAssignment(f.createStringLiteral(key), literal(value))),
  );
}

function print(collected: Collected, typeImports: Record<string, string>): string {
  const list = (entries: Entry[]) =>
    f.createArrayLiteralExpression(entries.map(([load, meta]) => f.createArrayLiteralExpression([load, literal(meta)])));
  const swagger = f.createObjectLiteralExpression([
    f.createPropertyAssignment(f.createStringLiteral('models'), list(collected.models)),
    f.createPropertyAssignment(f.createStringLiteral('controllers'), list(collected.controllers)),
  ]);
  // `t` holds the modules the metadata refers to (enums, nested classes), loaded once.
  const types = f.createVariableStatement(
    undefined,
    f.createVariableDeclarationList(
      [
        f.createVariableDeclaration(
          't',
          undefined,
          undefined,
          f.createObjectLiteralExpression(
            Object.keys(typeImports)
              .sort()
              .map((key) => f.createPropertyAssignment(f.createComputedPropertyName(f.createStringLiteral(key)), f.createIdentifier(typeImports[key]))),
            true,
          ),
        ),
      ],
      ts.NodeFlags.Const,
    ),
  );
  const exported = f.createExportAssignment(
    undefined,
    undefined,
    f.createArrowFunction(
      [f.createToken(ts.SyntaxKind.AsyncKeyword)],
      undefined,
      [],
      undefined,
      f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
      f.createBlock([types, f.createReturnStatement(f.createObjectLiteralExpression([f.createPropertyAssignment(f.createStringLiteral('@nestjs/swagger'), swagger)], true))], true),
    ),
  );
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const file = ts.createSourceFile('plugin-metadata.ts', '', ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return (
    '// Generated by `npm run openapi` (tools/openapi) from the classes of the gateway and libs/contracts: do not edit.\n' +
    loadedWithoutImportCalls(printer.printNode(ts.EmitHint.Unspecified, exported, file)) +
    '\n'
  );
}

/**
 * The plugin loads each module with `import("<relative path>")`. Under node16 module
 * resolution an import() stays an ES import, which wants file extensions and may not reach
 * into another project's sources. So a lib's classes come from a static import of its alias
 * (`@connector/contracts`, whose index exports every class; static, so Nx sees an ordinary
 * dependency, not a lazy-loaded lib), and the gateway's own files through `require`.
 */
export function loadedWithoutImportCalls(text: string): string {
  const libs = new Set<string>();
  const body = text.replace(/(await )?import\("([^"]+)"\)/g, (_, awaited: string | undefined, path: string) => {
    const lib = /^(?:\.\.\/)+libs\/([a-z-]+)\/src\//.exec(path);
    if (lib) libs.add(lib[1]);
    const loaded = lib ? libIdentifier(lib[1]) : `require(${JSON.stringify(path)})`;
    return awaited ? loaded : `Promise.resolve(${loaded})`;
  });
  const imports = [...libs].sort().map((lib) => `import * as ${libIdentifier(lib)} from '@connector/${lib}';\n`);
  return imports.join('') + body;
}

const libIdentifier = (lib: string) => `lib_${lib.replace(/-/g, '_')}`;
