# Writes switchyard.1 from `switchyard --help`, so the man page never drifts from the program.
execute_process(COMMAND "${SWITCHYARD}" --help OUTPUT_VARIABLE help RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "switchyard --help failed")
endif()
string(REPLACE "${SWITCHYARD}" "switchyard" help "${help}")
string(REPLACE "\\" "\\\\" help "${help}")
string(REGEX REPLACE "\n-" "\n\\\\-" help "${help}")
file(WRITE "${OUTPUT}" ".TH SWITCHYARD 1 \"\" \"switchyard ${VERSION}\" \"User Commands\"\n"
    ".SH NAME\nswitchyard \\- LLM gateway with explicit fallback chains, and its operations console\n"
    ".SH DESCRIPTION\n.nf\n${help}.fi\n"
    ".SH SIGNALS\nSIGHUP reads the configuration file again (as does a change to it); a file that "
    "does not validate leaves the running configuration as it was. SIGINT and SIGTERM stop the "
    "gateway after writing its traces.\n"
    ".SH FILES\n~/.config/switchyard/switchyard.json (configuration), "
    "~/.local/share/switchyard/traces.sqlite (traces, events, spend)\n")
