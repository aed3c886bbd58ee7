check -F examples/gpu-workstation.lspci --plan tests/fuzz/corpus/guestplan/all.json --qemu-cmdline tests/data/vms/mixed.sh
