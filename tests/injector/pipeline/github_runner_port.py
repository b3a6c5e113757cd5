"""What the GitHub Actions runner does with a step's output and with $GITHUB_ENV,
ported line by line so tests check `export --github-env` against the reader,
not against the writer's idea of it. Upstream sources (github.com/actions):

  runner  src/Runner.Common/ActionCommand.cs        TryParseV2 ("::name props::data"),
          TryParse (legacy "##[name props]data"), UnescapeData / Unescape
  runner  src/Runner.Worker/ActionCommandManager.cs TryProcessCommand: stop-commands and its
          resume token; AddMaskCommandExtension (IsNullOrWhiteSpace data is refused)
  runner  src/Runner.Worker/FileCommandManager.cs   SetEnvFileCommand (NODE_OPTIONS refused),
          EnvFileKeyValuePairs: NAME=VALUE and NAME<<DELIMITER heredocs, ReadLine ("\\n" only
          outside Windows), "Matching delimiter not found", "EOF marker missing new line"
  .NET    System.IO.StreamReader.ReadLine            how the runner reads a step's stdout: a line
          ends at "\\n", "\\r\\n" or a bare "\\r"
  toolkit packages/core/src/command.ts               escapeData: "%" -> "%25", "\\r" -> "%0D",
          "\\n" -> "%0A" (the writer's side, for the self-check)
"""

# ActionCommandManager registers "stop-commands" plus every command extension.
REGISTERED = {"stop-commands", "add-mask", "set-env", "add-path", "set-output", "save-state",
              "debug", "warning", "error", "notice", "group", "endgroup", "echo",
              "add-matcher", "remove-matcher"}

# ActionCommand._escapeDataMappings / _escapeMappings, in the order UnescapeData applies them.
_DATA_MAPPINGS = [("\r", "%0D"), ("\n", "%0A"), ("%", "%25")]
_LEGACY_MAPPINGS = [(";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"), ("%", "%25")]
_PROPERTY_MAPPINGS = [("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")]


def escape_data(text):
    """actions/toolkit command.ts escapeData."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _unescape(text, mappings):
    for token, replacement in mappings:
        text = text.replace(replacement, token)
    return text


def read_lines(text):
    """StreamReader.ReadLine until null: a line ends at \\n, \\r\\n or \\r; no empty last line."""
    lines, i, n = [], 0, len(text)
    while i < n:
        j = i
        while j < n and text[j] not in "\r\n":
            j += 1
        lines.append(text[i:j])
        if j < n and text[j] == "\r" and j + 1 < n and text[j + 1] == "\n":
            j += 2
        elif j < n:
            j += 1
        i = j
    return lines


class Command:
    def __init__(self, name, properties, data):
        self.name, self.properties, self.data = name, properties, data

    def __repr__(self):
        return "Command(%r, %r, %r)" % (self.name, self.properties, self.data)


def _registered(name, registered):
    return name.lower() in {r.lower() for r in registered}  # OrdinalIgnoreCase


def try_parse_v2(message, registered):
    if not message:
        return None
    message = message.lstrip()  # TrimStart
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    space = info.find(" ")
    name = info if space < 0 else info[:space]
    if not _registered(name, registered):
        return None
    props = {}
    if space > 0:
        for prop in [p for p in info[space + 1:].strip().split(",") if p]:
            pair = [p for p in prop.split("=", 1) if p]
            if len(pair) == 2:
                props[pair[0]] = _unescape(pair[1], _PROPERTY_MAPPINGS)
    return Command(name, props, _unescape(message[end + 2:], _DATA_MAPPINGS))


def try_parse_legacy(message, registered):
    if not message:
        return None
    prefix = message.find("##[")
    if prefix < 0:
        return None
    rb = message.find("]", prefix)
    if rb < 0:
        return None
    info = message[prefix + 3:rb]
    space = info.find(" ")
    name = info if space < 0 else info[:space]
    if not _registered(name, registered):
        return None
    props = {}
    if space > 0:
        for prop in [p for p in info[space + 1:].split(";") if p]:
            pair = [p for p in prop.split("=", 1) if p]
            if len(pair) == 2:
                props[pair[0]] = _unescape(pair[1], _LEGACY_MAPPINGS)
    return Command(name, props, _unescape(message[rb + 1:], _LEGACY_MAPPINGS))


class StepOutput:
    """ActionCommandManager.TryProcessCommand over every line of a step's stdout."""

    def __init__(self, stdout):
        self.masks = set()         # SecretMasker.AddValue
        self.commands = []         # every other command that was processed
        self.stopped_by = []       # stop-commands tokens that took effect
        self.refused_masks = 0     # "Can't add secret mask for empty string"
        registered = set(REGISTERED)
        stopped, token = False, None
        for line in read_lines(stdout):
            cmd = try_parse_v2(line, registered) or try_parse_legacy(line, registered)
            if cmd is None:
                continue
            if stopped:
                if token and cmd.name.lower() == token.lower():
                    registered.discard(token)
                    stopped, token = False, None
                continue
            if cmd.name.lower() == "stop-commands":
                token, stopped = cmd.data, True
                registered.add(token)
                self.stopped_by.append(token)
            elif cmd.name.lower() == "add-mask":
                if not cmd.data.strip():
                    self.refused_masks += 1
                else:
                    self.masks.add(cmd.data)
            else:
                self.commands.append(cmd)

    def mask(self, line):
        """SecretMasker.MaskSecrets, longest value first."""
        for m in sorted(self.masks, key=len, reverse=True):
            line = line.replace(m, "***")
        return line


class EnvFileError(Exception):
    pass


def _read_line_lf(text, index):
    """FileCommandManager's ReadLine outside Windows: (line, newline, next index)."""
    if index >= len(text):
        return None, None, index
    lf = text.find("\n", index)
    if lf < 0:
        return text[index:], None, len(text)
    return text[index:lf], "\n", lf + 1


def parse_env_file(text):
    """EnvFileKeyValuePairs + SetEnvFileCommand: (the variables a later step gets, the error
    that ended the file or None). The runner sets each pair as it is read, so the pairs read
    before an error stay set."""
    env = {}
    try:
        _parse_env_file(text, env)
    except EnvFileError as e:
        return env, str(e)
    return env, None


def _parse_env_file(text, env):
    index = 0
    line, _, index = _read_line_lf(text, index)
    while line is not None:
        if line:
            equals, heredoc = line.find("="), line.find("<<")
            if equals >= 0 and (heredoc < 0 or equals < heredoc):
                key, value = line.split("=", 1)
            elif heredoc >= 0 and (equals < 0 or heredoc < equals):
                key, delimiter = line.split("<<", 1)
                if not key or not delimiter:
                    raise EnvFileError("Invalid format '%s'" % line)
                start = end = index
                temp, newline, index = _read_line_lf(text, index)
                while temp != delimiter:
                    if temp is None:
                        raise EnvFileError("Matching delimiter not found '%s'" % delimiter)
                    if newline is None:
                        raise EnvFileError("EOF marker missing new line")
                    end = index - len(newline)
                    temp, newline, index = _read_line_lf(text, index)
                value = text[start:end] if end > start else ""
            else:
                raise EnvFileError("Invalid format '%s'" % line)
            if key.upper() != "NODE_OPTIONS":  # _setEnvBlockList
                env[key] = value
        line, _, index = _read_line_lf(text, index)
