#!/bin/sh
# unit.crypto.mlkem768_nodiv: no division instruction in the compiled ML-KEM
# code. memcheck (unit.crypto.mlkem768_ct) sees branches and indexes on
# secrets but not a divide, whose timing depends on its operands on common
# CPUs ("KyberSlash"); so the object code is searched for one instead. The
# code divides by q with a multiplication and shifts, and by nothing else.
#
# Usage: mlkem768_nodiv.sh OBJDUMP "OBJ;OBJ;..."  (exit 77 = skipped)
objdump=$1
if ! command -v "$objdump" >/dev/null 2>&1; then
	echo "SKIP: no objdump"
	exit 77
fi
found=0 checked=0
old_ifs=$IFS
IFS=';'
set -- $2
IFS=$old_ifs
for obj in "$@"; do
	case "${obj##*/}" in
	mlkem*) ;;
	*) continue ;;
	esac
	checked=$((checked + 1))
	if "$objdump" -d --no-show-raw-insn "$obj" | grep -E '[[:space:]](i?div|v?divs|v?divp)[a-z]*[[:space:]]'; then
		echo "division instruction in $obj"
		found=1
	fi
done
if [ "$checked" -eq 0 ]; then
	echo "no ML-KEM object file given"
	exit 1
fi
echo "$checked ML-KEM object files, division instructions: $found"
exit $found
