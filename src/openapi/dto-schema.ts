import type { Type } from '@nestjs/common';
import { SwaggerModule, type SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import metadata from '../metadata.js';
import { moveNullableIntoForms, renameSchemas, schemaName } from './polish-document.js';

/** One property's entry in the Swagger plugin's metadata (`src/metadata.ts`). */
type PropertyMetadata = Record<string, unknown>;
type ModelsMetadata = Array<
  [Promise<Record<string, unknown>>, Record<string, Record<string, PropertyMetadata>>]
>;

let loaded: Promise<void> | undefined;

/**
 * Loads the Swagger plugin's DTO metadata once, completed with three class-validator facts
 * the plugin's shim does not carry over, so the OpenAPI schema says what validation does:
 * `@IsInt()` makes the type `integer`, `@IsNotEmpty()` on a string gives `minLength: 1`,
 * and `@IsOptional()` (which lets null through) makes the property `nullable`.
 */
export function loadDtoMetadata(): Promise<void> {
  loaded ??= SwaggerModule.loadPluginMetadata(async () => {
    const all = (await metadata()) as unknown as { '@nestjs/swagger': { models: ModelsMetadata } };
    const models = await Promise.all(
      all['@nestjs/swagger'].models.map(
        async ([file, classes]): Promise<ModelsMetadata[number]> => {
          const exports = await file;
          const completed = Object.fromEntries(
            Object.entries(classes).map(([name, props]) => [
              name,
              completeFromClassValidator(exports[name], props),
            ]),
          );
          return [Promise.resolve(exports), completed];
        },
      ),
    );
    return { '@nestjs/swagger': { ...all['@nestjs/swagger'], models } };
  });
  return loaded;
}

function completeFromClassValidator(
  cls: unknown,
  props: Record<string, PropertyMetadata>,
): Record<string, PropertyMetadata> {
  if (typeof cls !== 'function') return props;
  const rules = new Map<string, Set<string>>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    if (m.each) continue;
    const names = rules.get(m.propertyName) ?? new Set<string>();
    names.add(m.name ?? m.type);
    rules.set(m.propertyName, names);
  }
  const out: Record<string, PropertyMetadata> = {};
  for (const [key, prop] of Object.entries(props)) {
    const names = rules.get(key);
    const next = { ...prop };
    const type = typeof prop.type === 'function' ? (prop.type as () => unknown)() : prop.type;
    if (names?.has('isInt') && type === Number) next.type = 'integer';
    if (names?.has('isNotEmpty') && type === String && next.minLength === undefined) {
      next.minLength = 1;
    }
    if (names?.has('isOptional')) next.nullable = true;
    out[key] = next;
  }
  return out;
}

interface SchemaFactory {
  exploreModelSchema(type: Type<unknown>, schemas: Record<string, SchemaObject>): string;
}

/**
 * The OpenAPI component schemas of a DTO and of every model it refers to, built by the
 * same @nestjs/swagger code that builds `components.schemas` of the served document
 * (whose schema factory the package does not export by name), and polished the same way
 * (names without `Dto`, `nullable` in the typed forms of a choice).
 */
export async function dtoSchemas(
  dto: Type<unknown>,
): Promise<{ root: string; schemas: Record<string, SchemaObject> }> {
  await loadDtoMetadata();
  const dist = dirname(createRequire(import.meta.url).resolve('@nestjs/swagger'));
  const [{ SchemaObjectFactory }, { ModelPropertiesAccessor }, { SwaggerTypesMapper }] =
    (await Promise.all([
      import(join(dist, 'services', 'schema-object-factory.js')),
      import(join(dist, 'services', 'model-properties-accessor.js')),
      import(join(dist, 'services', 'swagger-types-mapper.js')),
    ])) as [
      { SchemaObjectFactory: new (accessor: unknown, mapper: unknown) => SchemaFactory },
      { ModelPropertiesAccessor: new () => unknown },
      { SwaggerTypesMapper: new () => unknown },
    ];
  const factory = new SchemaObjectFactory(new ModelPropertiesAccessor(), new SwaggerTypesMapper());
  const built: Record<string, SchemaObject> = {};
  const root = factory.exploreModelSchema(dto, built);
  const schemas = renameSchemas(
    {
      openapi: '3.0.0',
      info: { title: '', version: '' },
      paths: {},
      components: { schemas: built },
    },
    schemaName,
  ).components!.schemas as Record<string, SchemaObject>;
  for (const schema of Object.values(schemas)) moveNullableIntoForms(schema);
  return { root: schemaName(root), schemas };
}
