check --proxmox tests/proxmox/conf/check-args-open.conf --dump examples/gpu-workstation.lspci --qemu-version 9.2
