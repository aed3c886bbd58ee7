check --proxmox tests/proxmox/conf/check-i440fx.conf --dump examples/gpu-workstation.lspci --qemu-version 9.2
