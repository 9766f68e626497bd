import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { RouterProvider } from "react-router";
import { isRetryable } from "../api/errors.ts";
import { AuthProvider } from "../auth/AuthProvider.tsx";
import { makeRouter } from "./router.tsx";

/** Query defaults: a 4xx is an answer, not a glitch, so only network failures and 5xx are retried. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => failures < 3 && isRetryable(error),
        staleTime: 15_000,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

/** The dashboard: queries, sign-in, then the pages. */
export function App(): ReactNode {
  const [queryClient] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <Pages />
      </AuthProvider>
    </QueryClientProvider>
  );
}

/** The router, made once per sign-in. */
function Pages(): ReactNode {
  const [router] = useState(makeRouter);
  return <RouterProvider router={router} />;
}
