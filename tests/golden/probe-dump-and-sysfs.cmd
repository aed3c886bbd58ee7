probe -F examples/gpu-workstation.lspci --sysfs /tmp --all
