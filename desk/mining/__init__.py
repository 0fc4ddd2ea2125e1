"""Mining economics: the block subsidy schedule and hashprice, expected against realised."""
