"""The command groups of ``cli.py``: each module registers its sub-commands and does their work
by calling domain functions (geodata, spatial); ``cli.py`` keeps the parser, exit codes and
error handling."""
