"""The reviewer terminal UI (Textual). It imports `scoring`; never the other way round."""
