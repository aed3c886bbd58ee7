# fish completion for pcilink. Formats are asked from pcilink; slots come from the --dump file
# on the line or from sysfs.

function __pcilink_slots
    set -l tokens (commandline -opc)
    set -l dump
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --dump -F
                set dump $tokens[(math $i + 1)]
            case '--dump=*'
                set dump (string replace -- --dump= '' $tokens[$i])
        end
    end
    if test -n "$dump" -a -r "$dump"
        grep -oE '^([0-9a-fA-F]{4,5}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7] ' $dump | string trim
    else if test -d /sys/bus/pci/devices
        for d in /sys/bus/pci/devices/*
            basename $d
        end
    end
end

function __pcilink_formats
    set -l tokens (commandline -opc)
    pcilink $tokens[2] --format help 2>/dev/null | cut -f1
    echo help
end

set -l cmds probe gen-qemu-args gen-libvirt-xml gen-proxmox check help
set -l gens gen-qemu-args gen-libvirt-xml gen-proxmox
complete -c pcilink -f
complete -c pcilink -n "not __fish_seen_subcommand_from $cmds" -a probe -d 'show host PCIe links, paths, AtomicOps, recommendation'
complete -c pcilink -n "not __fish_seen_subcommand_from $cmds" -a gen-qemu-args -d 'print QEMU -device arguments'
complete -c pcilink -n "not __fish_seen_subcommand_from $cmds" -a gen-libvirt-xml -d 'print libvirt XML, or merge it into a domain'
complete -c pcilink -n "not __fish_seen_subcommand_from $cmds" -a gen-proxmox -d 'print Proxmox VE hostpci and args lines, or merge them'
complete -c pcilink -n "not __fish_seen_subcommand_from $cmds" -a check -d 'check an existing VM against the host'
complete -c pcilink -n "not __fish_seen_subcommand_from $cmds" -a help -d 'list the commands, or show one'
complete -c pcilink -n "__fish_seen_subcommand_from help; and test (count (commandline -opc)) -eq 2" -a 'probe gen-qemu-args gen-libvirt-xml gen-proxmox check'
complete -c pcilink -s '?' -l help -d 'show help'
complete -c pcilink -s h -d 'show help'
complete -c pcilink -l usage -d 'show a short usage message'
complete -c pcilink -s V -l version -d 'show the version'

set -l in "__fish_seen_subcommand_from probe $gens check"
set -l sel "__fish_seen_subcommand_from probe $gens"
complete -c pcilink -n $in -s F -l dump -r -F -d 'read an lspci -xxx dump'
complete -c pcilink -n $in -l sysfs -r -a '(__fish_complete_directories)' -d 'read a sysfs tree rooted at DIR'
complete -c pcilink -n $sel -s i -l ids -r -F -d 'pci.ids to use'
complete -c pcilink -n $in -l numa-node -x -d 'a host NUMA node: SLOT=N'
complete -c pcilink -n $sel -s s -l slot -x -a '(__pcilink_slots)' -d 'select by slot, like lspci -s'
complete -c pcilink -n $sel -s d -l id -x -d 'select by IDs, like lspci -d'
complete -c pcilink -n $sel -s a -l all -d 'every function'
complete -c pcilink -n $sel -s n -l numeric -d 'numeric IDs only'
complete -c pcilink -n $in -s o -l format -x -a '(__pcilink_formats)' -d 'output format'
complete -c pcilink -n $sel -a '(__pcilink_slots)'

set -l ing "__fish_seen_subcommand_from $gens"
complete -c pcilink -n $ing -l policy -x -a 'host device max' -d 'which link to advertise'
complete -c pcilink -n $ing -l speed -x -a '2_5 5 8 16 32 64' -d 'override x-speed'
complete -c pcilink -n $ing -l width -x -a '1 2 4 8 12 16 32' -d 'override x-width'
complete -c pcilink -n $ing -l qemu -r -a '(__fish_complete_command)' -d 'the target QEMU binary'
complete -c pcilink -n $ing -l qemu-version -x -d 'the target QEMU version'
complete -c pcilink -n $ing -l kernel-version -x -d 'the host kernel version'
complete -c pcilink -n $ing -l plan -r -F -d 'read a YAML plan file'
set -l inl "__fish_seen_subcommand_from gen-qemu-args gen-libvirt-xml"
complete -c pcilink -n $inl -l first-chassis -x -d 'chassis number of the first port'
complete -c pcilink -n $inl -l first-addr -x -d 'first root-bus slot for the root ports'
complete -c pcilink -n $ing -l split-functions -d 'each function on its own root port'
complete -c pcilink -n $ing -l hotplug -x -a 'on off' -d 'hotplug on the generated ports'
complete -c pcilink -n $ing -l numa -d 'root ports on an expander bus per NUMA node'
complete -c pcilink -n $ing -l numa-map -x -d 'guest node of each host node: HOST=GUEST,...'
complete -c pcilink -n '__fish_seen_subcommand_from gen-qemu-args' -l bus -x -d 'bus for the root ports'
complete -c pcilink -n '__fish_seen_subcommand_from gen-qemu-args' -s 0 -l null -d 'NUL-separated arguments'
complete -c pcilink -n '__fish_seen_subcommand_from gen-libvirt-xml' -l bus -x -a pcie.0 -d 'bus for the root ports'
complete -c pcilink -n '__fish_seen_subcommand_from gen-libvirt-xml' -l domain -r -F -d 'merge into this domain XML (- for stdin)'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l domain -r -F -d 'a libvirt domain XML (- for stdin)'
complete -c pcilink -n '__fish_seen_subcommand_from gen-libvirt-xml' -l libvirt-version -x -d 'the target libvirt version'
complete -c pcilink -n '__fish_seen_subcommand_from gen-libvirt-xml' -l first-index -x -d 'first controller index'
complete -c pcilink -n '__fish_seen_subcommand_from gen-proxmox' -l conf -r -F -d 'merge into this VM config (- for stdin)'
complete -c pcilink -n '__fish_seen_subcommand_from gen-proxmox check' -l mapping -r -F -d 'resolve mapping= entries through this pci.cfg'
complete -c pcilink -n '__fish_seen_subcommand_from gen-proxmox check' -l node -x -d 'the node whose map lines apply'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l proxmox -r -F -d 'a Proxmox VE VM config (- for stdin)'
complete -c pcilink -n '__fish_seen_subcommand_from gen-proxmox' -l x-vga -d 'x-vga=1 on the first VGA controller'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l qemu-cmdline -r -F -d 'a QEMU command line (- for stdin)'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l qmp -r -F -d 'a running QEMU'"'"'s QMP socket'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l guest -d 'run inside the VM'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l plan -r -F -d 'the plan the VM should run (--format json)'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l pid -x -a '(pgrep -f qemu-system)' -d 'a running QEMU'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l qemu -r -a '(__fish_complete_command)' -d 'the QEMU that runs the VM'
complete -c pcilink -n '__fish_seen_subcommand_from check' -l qemu-version -x -d 'the QEMU version that runs the VM'
