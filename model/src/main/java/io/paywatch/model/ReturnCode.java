package io.paywatch.model;

import java.io.Serializable;

/** One row of the return-code catalogue ({@code error-codes.csv}). */
public final class ReturnCode implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String code;
    public final Category category;
    public final String meaningZh;
    public final String meaningEn;
    public final String payerMessageZh;
    public final String payerMessageEn;
    public final String merchantAction;

    public ReturnCode(
            String code,
            Category category,
            String meaningZh,
            String meaningEn,
            String payerMessageZh,
            String payerMessageEn,
            String merchantAction) {
        this.code = code;
        this.category = category;
        this.meaningZh = meaningZh;
        this.meaningEn = meaningEn;
        this.payerMessageZh = payerMessageZh;
        this.payerMessageEn = payerMessageEn;
        this.merchantAction = merchantAction;
    }
}
