"""The demo company: a deterministic B2B SaaS company that runs The Model, with a known story."""
