check -F examples/gpu-workstation.lspci --qemu-version 10.0 --qemu-cmdline tests/data/vms/generated.sh -o json
