"""The mapping language: parser, AST, printer and compiler (see docs/mapping-language.md)."""
