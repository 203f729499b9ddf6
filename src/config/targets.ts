/**
 * CPython minor versions upstream still supports (2026-11): the default target set. Its own
 * module, so the Options defaults need not import the option table (which reads the registries).
 */
export const DEFAULT_TARGET_PYTHONS = ['3.10', '3.11', '3.12', '3.13', '3.14'] as const;
