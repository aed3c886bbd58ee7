gen-libvirt-xml -F tests/data/bad/x-only-64-bytes.lspci --qemu-version 8.1 -o json 01:00.0
