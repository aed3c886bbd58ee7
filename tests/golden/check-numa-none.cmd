check -F examples/gpu-workstation.lspci --qemu-version 7.2 --numa-node 03:00=1 --numa-node 04:00=0 --qemu-cmdline tests/data/vms/generated.sh
