probe -F tests/data/does-not-exist.lspci --all
