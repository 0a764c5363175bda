"""The foundation every layer may import, importing none of them: settings, errors, Vietnamese text keys,
genre knowledge (years, periods, stances), file locks."""
