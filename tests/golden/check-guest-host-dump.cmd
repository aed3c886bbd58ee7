check --guest -F examples/gpu-workstation.lspci --plan tests/fuzz/corpus/guestplan/all.json
