//! Loading an environment file: YAML with locations, JSON Schema, typed model, rules.
