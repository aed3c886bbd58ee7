probe -F examples/gpu-workstation.lspci --all -o xml
