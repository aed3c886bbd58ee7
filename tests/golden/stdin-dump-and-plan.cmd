gen-qemu-args --dump - --plan - --qemu-version 7.2 < examples/gpu-workstation.lspci
