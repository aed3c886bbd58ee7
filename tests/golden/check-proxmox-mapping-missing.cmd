check --proxmox tests/proxmox/conf/check-mapping.conf --dump examples/gpu-workstation.lspci --qemu-version 9.2
