import { Inject, Injectable } from '@nestjs/common';
import type { TollgateConfig } from '../config/config.js';
import { TOLLGATE_CONFIG } from '../config/config.module.js';
import { ErrorCode, GatewayError } from '../common/errors/gateway-error.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelCatalog } from './model-catalog.service.js';

/**
 * Who picked the provider instance: the caller (`hint`: the `provider` field; `prefix`: a
 * `provider/` prefix on the model, typed by the caller or by an alias's target) or the
 * catalog (a bare name listed by exactly one provider). The allowlist's bare entries apply
 * only to `catalog` routes.
 */
export type RouteVia = 'hint' | 'prefix' | 'catalog';

export interface Route {
  adapter: ProviderAdapter;
  /** Model id as the upstream knows it, canonical for its provider (`upstreamModel`). */
  model: string;
  via: RouteVia;
}

const MAX_SUGGESTIONS = 10;

/**
 * Resolves a request's `model` (and optional `provider` hint) to one provider instance
 * and upstream model id:
 * 1. a `provider` hint is authoritative (a `hint/` prefix on the model is dropped);
 * 2. `name/model` where `name` is a configured provider;
 * 3. a configured alias;
 * 4. a bare name served by exactly one provider's catalog.
 * The upstream id is then checked and made canonical by the provider's adapter (400
 * `invalid_model` for an id that could change the upstream URL), so what the allowlist
 * checks afterwards is exactly the target the upstream will be asked for.
 */
@Injectable()
export class ModelRouter {
  constructor(
    @Inject(TOLLGATE_CONFIG) private readonly config: TollgateConfig,
    private readonly registry: ProviderRegistry,
    private readonly catalog: ModelCatalog,
  ) {}

  resolve(model: string, providerHint?: string): Route {
    const route = this.resolveTarget(model, providerHint);
    return { ...route, model: route.adapter.upstreamModel(route.model) };
  }

  private resolveTarget(model: string, providerHint?: string): Route {
    if (providerHint !== undefined) {
      const adapter = this.registry.get(providerHint);
      if (!adapter) {
        throw new GatewayError(
          ErrorCode.ProviderNotFound,
          `Unknown provider '${providerHint}'. Configured providers: ${this.listOrNone(this.registry.names())}.`,
          { param: 'provider', wireCode: 'provider_not_found' },
        );
      }
      const upstream = model.startsWith(`${providerHint}/`)
        ? model.slice(providerHint.length + 1)
        : model;
      return { adapter, model: upstream, via: 'hint' };
    }
    return this.resolveName(model, 0);
  }

  private resolveName(model: string, depth: number): Route {
    const slash = model.indexOf('/');
    if (slash > 0) {
      const adapter = this.registry.get(model.slice(0, slash));
      const rest = model.slice(slash + 1);
      if (adapter && rest !== '') return { adapter, model: rest, via: 'prefix' };
    }
    // Own keys only: a model named "__proto__" or "constructor" is not an alias.
    if (Object.hasOwn(this.config.aliases, model) && depth < 3) {
      return this.resolveName(this.config.aliases[model], depth + 1);
    }

    const serving = this.catalog.providersServing(model);
    if (serving.length === 1) {
      return { adapter: this.registry.get(serving[0])!, model, via: 'catalog' };
    }
    if (serving.length > 1) {
      throw new GatewayError(
        ErrorCode.ModelAmbiguous,
        `The model '${model}' is served by several providers; name one: ${serving
          .map((p) => `${p}/${model}`)
          .join(', ')} (or set "provider").`,
        { param: 'model', wireCode: 'model_ambiguous' },
      );
    }
    throw new GatewayError(ErrorCode.ModelNotFound, this.notFoundMessage(model), {
      param: 'model',
      wireCode: 'model_not_found',
    });
  }

  private notFoundMessage(model: string): string {
    const providers = this.registry.names();
    if (providers.length === 0) {
      return `The model '${model}' does not exist: no providers are configured.`;
    }
    const ids = this.catalog.allIds();
    const needle = model.toLowerCase();
    const close = ids.filter((id) => id.toLowerCase().includes(needle));
    const suggestions = (close.length > 0 ? close : ids).slice(0, MAX_SUGGESTIONS);
    const aliases = Object.keys(this.config.aliases);
    return (
      `The model '${model}' does not exist or is not served by any configured provider. ` +
      `Use provider/model with one of: ${providers.join(', ')}` +
      (suggestions.length > 0 ? `; known models include ${suggestions.join(', ')}` : '') +
      (aliases.length > 0 ? `; aliases: ${aliases.slice(0, MAX_SUGGESTIONS).join(', ')}` : '') +
      '.'
    );
  }

  private listOrNone(names: string[]): string {
    return names.length > 0 ? names.join(', ') : 'none';
  }
}
