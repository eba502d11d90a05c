// The internal API's OpenAPI document: the pay routes are in it, their request bodies from the routes' own
// zod schemas (so a field added to a route shows here), with the answers the routes give.
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";

describe("openApiDocument", () => {
  const doc = openApiDocument("https://uc.example.com");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking a JSON document
  const paths = doc.paths as Record<string, any>;
  const body = (path: string) => paths[path].post.requestBody.content["application/json"].schema;

  it("covers the pay routes: orders made and read, refunds", () => {
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        "/api/internal/pay/orders",
        "/api/internal/pay/orders/{id}",
        "/api/internal/pay/orders/{id}/refunds",
      ]),
    );
    expect(Object.keys(paths["/api/internal/pay/orders"].post.responses).sort()).toEqual([
      "200",
      "201",
      "400",
      "401",
      "404",
      "409",
    ]);
    expect(paths["/api/internal/pay/orders/{id}"].get.parameters).toMatchObject([{ name: "id", in: "path" }]);
  });

  it("takes the request bodies from the routes' zod schemas", () => {
    const order = body("/api/internal/pay/orders");
    expect(order.required).toEqual(expect.arrayContaining(["description", "amount", "idempotencyKey"]));
    expect(Object.keys(order.properties)).toEqual(
      expect.arrayContaining(["userId", "openid", "outTradeNo", "expiresInSeconds", "returnUrl", "webhookUrl"]),
    );
    expect(order.properties.expiresInSeconds).toMatchObject({ minimum: 300, maximum: 604800 });
    expect(order.additionalProperties).toBe(false);
    const refund = body("/api/internal/pay/orders/{id}/refunds");
    expect(refund.required).toEqual(["amount", "reason", "idempotencyKey"]);
    expect(refund.additionalProperties).toBe(false);
    expect(refund.properties.amount).toMatchObject({ type: "integer", exclusiveMinimum: 0 });
  });

  it("describes the order with its refunds, and the refund's states", () => {
    const order = paths["/api/internal/pay/orders/{id}"].get.responses["200"].content["application/json"].schema;
    expect(order.properties.status.enum).toEqual(["unpaid", "paid", "refunded", "closed"]);
    const refund = order.properties.refunds.items;
    expect(refund.properties.status.enum).toEqual(["pending", "processing", "success", "closed", "abnormal", "failed"]);
    expect(JSON.stringify(doc)).not.toMatch(/PRIVATE KEY|apiV3Key|PAY_WEBHOOK_SECRET/);
  });
});
