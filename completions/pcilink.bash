# bash completion for pcilink                                    -*- shell-script -*-
# Formats are asked from pcilink; slots come from the --dump file on the line or from sysfs.

_pcilink_slots()
{
	local dump=$1
	dump=${dump/#\~/$HOME}
	if [[ -n $dump && -r $dump ]]; then
		grep -oE '^([0-9a-fA-F]{4,5}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7] ' "$dump" | tr -d ' '
	elif [[ -d /sys/bus/pci/devices ]]; then
		local d
		for d in /sys/bus/pci/devices/*; do printf '%s\n' "${d##*/}"; done
	fi
}

_pcilink()
{
	local cur prev words cword
	_init_completion -n : || return

	local commands="probe gen-qemu-args gen-libvirt-xml gen-proxmox check help"
	local common="--dump -F --sysfs --ids -i --numa-node --slot -s --id -d --all -a --numeric -n --help -h --usage --version -V"
	local -A opts=(
		[probe]="--format -o"
		[gen-qemu-args]="--format -o --policy --speed --width --qemu --qemu-version --kernel-version --plan --bus --first-addr --first-chassis --split-functions --hotplug --numa --numa-map -0 --null"
		[check]="--qemu-cmdline --pid --domain --qmp --guest --plan --proxmox --mapping --node --dump -F --sysfs --numa-node --qemu --qemu-version --format -o"
		[gen-libvirt-xml]="--format -o --policy --speed --width --qemu --qemu-version --kernel-version --plan --bus --first-addr --first-chassis --split-functions --hotplug --numa --numa-map --domain --libvirt-version --first-index"
		[gen-proxmox]="--policy --speed --width --qemu --qemu-version --kernel-version --plan --split-functions --hotplug --numa --numa-map --conf --mapping --node --x-vga"
	)

	local cmd="" i dump=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--dump | -F) dump=${words[i + 1]} ;;
		--dump=*) dump=${words[i]#--dump=} ;;
		esac
		# options may come before the command: the command is the first word that is one
		if [[ -z $cmd && " $commands " == *" ${words[i]} "* ]]; then
			cmd=${words[i]}
		fi
	done
	if [[ $cmd == help ]]; then
		[[ $prev == help ]] && COMPREPLY=($(compgen -W "${commands% help}" -- "$cur"))
		return
	fi
	if [[ -z $cmd && $cur != -* && $prev != -* ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	fi

	case $prev in
	--dump | -F | --ids | -i | --plan)
		_filedir
		return
		;;
	--qmp)
		_filedir
		return
		;;
	--qemu-cmdline)
		_filedir
		[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
		return
		;;
	--pid)
		COMPREPLY=($(compgen -W "$(pgrep -f qemu-system 2>/dev/null)" -- "$cur"))
		return
		;;
	--sysfs)
		_filedir -d
		return
		;;
	--domain)
		_filedir xml
		[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
		return
		;;
	--conf)
		_filedir conf
		[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
		return
		;;
	--mapping)
		_filedir cfg
		return
		;;
	--qemu)
		COMPREPLY=($(compgen -c -- "$cur"))
		return
		;;
	--format | -o)
		COMPREPLY=($(compgen -W "$(pcilink "$cmd" --format help 2>/dev/null | cut -f1) help" -- "$cur"))
		return
		;;
	--policy)
		COMPREPLY=($(compgen -W "host device max" -- "$cur"))
		return
		;;
	--hotplug)
		COMPREPLY=($(compgen -W "on off" -- "$cur"))
		return
		;;
	--slot | -s)
		COMPREPLY=($(compgen -W "$(_pcilink_slots "$dump")" -- "$cur"))
		__ltrim_colon_completions "$cur"
		return
		;;
	--id | -d | --speed | --width | --qemu-version | --kernel-version | --bus | --first-addr | --first-chassis | \
	--libvirt-version | --first-index | --node)
		return
		;;
	esac

	# check names no devices: its options only
	[[ $cmd == check ]] && common="--help -h --usage"
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$common ${opts[gen-libvirt-xml]} -0 --null" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$common ${opts[$cmd]}" -- "$cur"))
	elif [[ $cmd == check ]]; then
		return
	else
		COMPREPLY=($(compgen -W "$(_pcilink_slots "$dump")" -- "$cur"))
		__ltrim_colon_completions "$cur"
	fi
} && complete -F _pcilink pcilink
