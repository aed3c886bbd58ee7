check --guest -F examples/gpu-workstation.lspci --plan tests/data/vms/mixed.sh
