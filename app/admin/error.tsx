"use client";
// The console's error page: a page failed to render on the server (the database is down, a bug). Staff
// wording: what happened, what to do, and the digest that finds the error in the server's log.
import { Button, Result, Typography } from "antd";
import Link from "next/link";

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Result
      status="error"
      title="页面加载出错"
      subTitle="服务器处理这个页面时出错，数据没有被修改。可以重试；若一再出现，请把下面的错误编号交给运维，在服务器日志中查找。"
      data-testid="console-error"
      extra={[
        <Button type="primary" key="retry" onClick={reset}>
          重试
        </Button>,
        <Link href="/admin" key="home">
          <Button>返回仪表盘</Button>
        </Link>,
      ]}
    >
      {error.digest && <Typography.Text type="secondary">错误编号：{error.digest}</Typography.Text>}
    </Result>
  );
}
