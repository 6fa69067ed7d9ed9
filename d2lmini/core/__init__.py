"""The framework-free core: what every framework's adapter shares. It
imports no framework; `shared` holds the names each adapter re-exports."""
