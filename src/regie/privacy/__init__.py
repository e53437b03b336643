"""The privacy core: field encryption, blind indexes, the read log, retention and data subject
rights. Every app that holds personal data builds on it (docs/privacy.md)."""
