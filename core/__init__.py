"""Pure-Python algorithms of Tongchou: no Django, plain values in and out, tested exhaustively."""
