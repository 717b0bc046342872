# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubelet_wrapperctl_global_optspecs
    string join \n h/help V/version
end

function __fish_kubelet_wrapperctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubelet_wrapperctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubelet_wrapperctl_using_subcommand
    set -l cmd (__fish_kubelet_wrapperctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_needs_command" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_needs_command" -f -a "render" -d 'Print the command and directories the wrapper would use'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_needs_command" -f -a "explain" -d 'Explain each argument of the command and where it comes from'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_needs_command" -f -a "check" -d 'Check a kubelet unit before rolling it out; exit 0 only when nothing is wrong'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_needs_command" -f -a "defaults" -d 'Inspect the embedded release defaults'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_needs_command" -f -a "generate" -d 'Write the tool\'s man pages or shell completions'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand render" -l release -d 'Release to use (MAJOR.MINOR.PATCH). Default: the release this binary is pinned to, or the host\'s os-release VERSION_ID' -r -f -a "960.0.0\t''
1025.0.0\t''
1047.0.0\t''
1207.0.0\t''
1353.0.0\t''
1353.6.0\t''
1353.8.0\t''
1381.0.0\t''
1409.4.0\t''
1423.0.0\t''
1451.0.0\t''
1576.0.0\t''
1758.0.0\t''
2512.0.0\t''
3000.0.0\t''
3033.2.0\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand render" -l format -d 'Output format: text (for people: the release and its file, the directories, the command one argument per line), json (for programs: stable fields, see docs/admin.md), or shell (a script that does what the wrapper does)' -r -f -a "text\t''
json\t''
shell\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand render" -l unit -d 'Read the admin layer from this kubelet unit (its Environment=, EnvironmentFile= and ExecStart=, as systemd would start it, with the drop-ins of UNIT.d/) instead of this tool\'s environment' -r -F
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand render" -l drop-in -d 'Another drop-in directory for the unit (e.g. /run/systemd/system/kubelet.service.d), after UNIT.d/; may be repeated. A file name found twice is read from the first directory' -r -f -a "(__fish_complete_directories)"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand render" -l root -d 'Read everything under DIR, as on the node whose root it is (an image tree, a node\'s root mounted elsewhere), as systemd-analyze --root does: the unit (a path in DIR, or a name looked up in its unit directories), its drop-ins (also those of /etc, /run and /usr/lib/systemd/system and the service.d ones), its EnvironmentFile=s, the node\'s specifiers (%H, %m, %o, ...) and, without --release, the release in its os-release. Symbolic links resolve inside DIR; the paths of --unit and --drop-in are DIR\'s' -r -f -a "(__fish_complete_directories)"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand render" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand render" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand explain" -l release -d 'Release to use (MAJOR.MINOR.PATCH). Default: the release this binary is pinned to, or the host\'s os-release VERSION_ID' -r -f -a "960.0.0\t''
1025.0.0\t''
1047.0.0\t''
1207.0.0\t''
1353.0.0\t''
1353.6.0\t''
1353.8.0\t''
1381.0.0\t''
1409.4.0\t''
1423.0.0\t''
1451.0.0\t''
1576.0.0\t''
1758.0.0\t''
2512.0.0\t''
3000.0.0\t''
3033.2.0\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand explain" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand explain" -l unit -d 'Read the admin layer from this kubelet unit (its Environment=, EnvironmentFile= and ExecStart=, as systemd would start it, with the drop-ins of UNIT.d/) instead of this tool\'s environment' -r -F
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand explain" -l drop-in -d 'Another drop-in directory for the unit (e.g. /run/systemd/system/kubelet.service.d), after UNIT.d/; may be repeated. A file name found twice is read from the first directory' -r -f -a "(__fish_complete_directories)"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand explain" -l root -d 'Read everything under DIR, as on the node whose root it is (an image tree, a node\'s root mounted elsewhere), as systemd-analyze --root does: the unit (a path in DIR, or a name looked up in its unit directories), its drop-ins (also those of /etc, /run and /usr/lib/systemd/system and the service.d ones), its EnvironmentFile=s, the node\'s specifiers (%H, %m, %o, ...) and, without --release, the release in its os-release. Symbolic links resolve inside DIR; the paths of --unit and --drop-in are DIR\'s' -r -f -a "(__fish_complete_directories)"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand explain" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -l release -d 'Release to use (MAJOR.MINOR.PATCH). Default: the release this binary is pinned to, or the host\'s os-release VERSION_ID' -r -f -a "960.0.0\t''
1025.0.0\t''
1047.0.0\t''
1207.0.0\t''
1353.0.0\t''
1353.6.0\t''
1353.8.0\t''
1381.0.0\t''
1409.4.0\t''
1423.0.0\t''
1451.0.0\t''
1576.0.0\t''
1758.0.0\t''
2512.0.0\t''
3000.0.0\t''
3033.2.0\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -l unit -d 'The kubelet unit to check, with the drop-ins of UNIT.d/' -r -F
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -l drop-in -d 'Another drop-in directory for the unit, after UNIT.d/; may be repeated. A file name found twice is read from the first directory' -r -f -a "(__fish_complete_directories)"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -l root -d 'Read everything under DIR, as on the node whose root it is (an image tree, a node\'s root mounted elsewhere), as systemd-analyze --root does: the unit (a path in DIR, or a name looked up in its unit directories), its drop-ins (also those of /etc, /run and /usr/lib/systemd/system and the service.d ones), its EnvironmentFile=s, the node\'s specifiers (%H, %m, %o, ...) and, without --release, the release in its os-release. Symbolic links resolve inside DIR; the paths of --unit and --drop-in are DIR\'s' -r -f -a "(__fish_complete_directories)"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -l no-host -d 'Check the unit and the release only, not this host: for a unit checked off the node (a laptop, a cluster repository\'s CI). The engine program, the volumes\' host paths, the directories and the mount propagation are then not checked, and the output says so'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -l strict -d 'Exit 1 on warnings too, not only on errors'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand check" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and not __fish_seen_subcommand_from list show diff validate schema help" -s h -l help -d 'Print help'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and not __fish_seen_subcommand_from list show diff validate schema help" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and not __fish_seen_subcommand_from list show diff validate schema help" -f -a "list" -d 'List every embedded release file and which one this binary uses'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and not __fish_seen_subcommand_from list show diff validate schema help" -f -a "show" -d 'Show the system layer that release R uses'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and not __fish_seen_subcommand_from list show diff validate schema help" -f -a "diff" -d 'Show what changes for the kubelet from release A to release B'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and not __fish_seen_subcommand_from list show diff validate schema help" -f -a "validate" -d 'Check defaults files as the build does; exit 1 on any problem'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and not __fish_seen_subcommand_from list show diff validate schema help" -f -a "schema" -d 'Print the JSON Schema of the defaults format'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and not __fish_seen_subcommand_from list show diff validate schema help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from show" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from diff" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from validate" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from validate" -s h -l help -d 'Print help'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from validate" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from schema" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every embedded release file and which one this binary uses'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the system layer that release R uses'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Show what changes for the kubelet from release A to release B'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from help" -f -a "validate" -d 'Check defaults files as the build does; exit 1 on any problem'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from help" -f -a "schema" -d 'Print the JSON Schema of the defaults format'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand defaults; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and not __fish_seen_subcommand_from man completion help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and not __fish_seen_subcommand_from man completion help" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and not __fish_seen_subcommand_from man completion help" -f -a "man" -d 'Write a man page for the tool and each subcommand into DIR'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and not __fish_seen_subcommand_from man completion help" -f -a "completion" -d 'Print the completion script for a shell'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and not __fish_seen_subcommand_from man completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and __fish_seen_subcommand_from man" -s h -l help -d 'Print help'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and __fish_seen_subcommand_from man" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and __fish_seen_subcommand_from completion" -s h -l help -d 'Print help'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and __fish_seen_subcommand_from completion" -s V -l version -d 'Print version'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "man" -d 'Write a man page for the tool and each subcommand into DIR'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "completion" -d 'Print the completion script for a shell'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and not __fish_seen_subcommand_from render explain check defaults generate help" -f -a "render" -d 'Print the command and directories the wrapper would use'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and not __fish_seen_subcommand_from render explain check defaults generate help" -f -a "explain" -d 'Explain each argument of the command and where it comes from'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and not __fish_seen_subcommand_from render explain check defaults generate help" -f -a "check" -d 'Check a kubelet unit before rolling it out; exit 0 only when nothing is wrong'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and not __fish_seen_subcommand_from render explain check defaults generate help" -f -a "defaults" -d 'Inspect the embedded release defaults'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and not __fish_seen_subcommand_from render explain check defaults generate help" -f -a "generate" -d 'Write the tool\'s man pages or shell completions'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and not __fish_seen_subcommand_from render explain check defaults generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and __fish_seen_subcommand_from defaults" -f -a "list" -d 'List every embedded release file and which one this binary uses'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and __fish_seen_subcommand_from defaults" -f -a "show" -d 'Show the system layer that release R uses'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and __fish_seen_subcommand_from defaults" -f -a "diff" -d 'Show what changes for the kubelet from release A to release B'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and __fish_seen_subcommand_from defaults" -f -a "validate" -d 'Check defaults files as the build does; exit 1 on any problem'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and __fish_seen_subcommand_from defaults" -f -a "schema" -d 'Print the JSON Schema of the defaults format'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "man" -d 'Write a man page for the tool and each subcommand into DIR'
complete -c kubelet-wrapperctl -n "__fish_kubelet_wrapperctl_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "completion" -d 'Print the completion script for a shell'
