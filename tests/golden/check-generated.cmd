check -F examples/gpu-workstation.lspci --qemu-version 7.2 --qemu-cmdline tests/data/vms/generated.sh
