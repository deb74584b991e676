// Regenerates src/metadata.ts: the Swagger plugin's view of every DTO (types, optionality,
// class-validator constraints, doc comments), so DTOs need no @ApiProperty boilerplate.
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const outputDir = process.argv[2] ?? resolve(root, 'src');

new PluginMetadataGenerator().generate({
  visitors: [
    new ReadonlyVisitor({
      introspectComments: true,
      classValidatorShim: true,
      dtoFileNameSuffix: ['.dto.ts', '.controller.ts'],
      pathToSource: resolve(root, 'src'),
      esmCompatible: true,
    }),
  ],
  outputDir,
  filename: 'metadata.ts',
  tsconfigPath: 'tsconfig.build.json',
  printDiagnostics: false,
});
