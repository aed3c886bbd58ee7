check -F examples/gpu-workstation.lspci --qemu-version 8.1 --numa-node 03:00=1 --numa-node 07:00=0 --qemu-cmdline tests/data/vms/numa-right.sh
