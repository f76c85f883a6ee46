"""A plugin that raises a BaseException (not an Exception) when it is imported."""


class Interrupted(BaseException):
    """Like KeyboardInterrupt: not an Exception."""


raise Interrupted("corpus_interrupts stops the import")
