check --proxmox tests/proxmox/conf/check-old-machine.conf --dump examples/gpu-workstation.lspci --qemu-version 9.2
